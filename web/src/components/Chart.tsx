import { useState } from 'react'
import { niceTicks } from '../lib/format.ts'
import { useWidth } from './useWidth.ts'

export interface Point {
  label: string
  value: number
}

/** A small dependency-free SVG chart (line with area, or bars) that scales to its container. */
export function Chart(props: {
  data: Point[]
  kind?: 'line' | 'bar'
  color?: string
  height?: number
  format?: (v: number) => string
  testId?: string
  ariaLabel?: string
  /** Counts: ticks at whole numbers only. */
  integer?: boolean
}) {
  const { data, kind = 'line', color = '#165dff', height = 220 } = props
  const fmt = props.format ?? ((v: number) => String(v))
  const [hover, setHover] = useState<number | null>(null)
  const { ref: boxRef, width: W } = useWidth()
  const H = height
  const pad = { l: 56, r: 22, t: 12, b: 28 }
  const iw = W - pad.l - pad.r
  const ih = H - pad.t - pad.b
  const ticks = niceTicks(Math.max(0, ...data.map((d) => d.value)), 4, props.integer)
  const max = ticks[ticks.length - 1]
  const n = data.length
  const step = n > 1 ? iw / (n - 1) : iw
  const slot = n > 0 ? iw / n : iw
  const x = (i: number) =>
    kind === 'bar' ? pad.l + slot * i + slot / 2 : pad.l + (n > 1 ? step * i : iw / 2)
  const y = (v: number) => pad.t + ih - (v / max) * ih
  const labelEvery = Math.max(1, Math.ceil(n / Math.max(2, Math.floor(W / 80))))
  const line = data
    .map((d, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(d.value).toFixed(1)}`)
    .join(' ')
  const area =
    n > 0 ? `${line} L${x(n - 1).toFixed(1)},${pad.t + ih} L${x(0).toFixed(1)},${pad.t + ih} Z` : ''
  const gradId = `g-${color.replace('#', '')}`
  return (
    <div ref={boxRef} style={{ width: '100%' }}>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        role="img"
        aria-label={props.ariaLabel}
        data-testid={props.testId}
        className="chart"
        onMouseLeave={() => setHover(null)}
      >
        <defs>
          <linearGradient id={gradId} x1="0" y1="0" x2="0" y2="1">
            <stop offset="0%" stopColor={color} stopOpacity="0.28" />
            <stop offset="100%" stopColor={color} stopOpacity="0.02" />
          </linearGradient>
        </defs>
        {ticks.map((tv) => (
          <g key={tv}>
            <line
              x1={pad.l}
              x2={W - pad.r}
              y1={y(tv)}
              y2={y(tv)}
              className="chart-grid"
              strokeDasharray={tv === 0 ? undefined : '3 3'}
            />
            <text x={pad.l - 6} y={y(tv) + 4} textAnchor="end" fontSize="11" className="chart-tick">
              {fmt(tv)}
            </text>
          </g>
        ))}
        {data.map((d, i) =>
          i % labelEvery === 0 || i === n - 1 ? (
            <text
              key={`l${d.label}`}
              x={x(i)}
              y={H - 8}
              textAnchor="middle"
              fontSize="11"
              className="chart-tick"
            >
              {d.label.length > 5 ? d.label.slice(5) : d.label}
            </text>
          ) : null,
        )}
        {kind === 'line' ? (
          <>
            <path d={area} fill={`url(#${gradId})`} />
            <path d={line} fill="none" stroke={color} strokeWidth="2" strokeLinejoin="round" />
            {data.map((d, i) => (
              <circle
                key={`c${d.label}`}
                cx={x(i)}
                cy={y(d.value)}
                r={hover === i ? 4.5 : n <= 31 ? 2.5 : 0}
                fill="#fff"
                stroke={color}
                strokeWidth="2"
              />
            ))}
          </>
        ) : (
          data.map((d, i) => {
            const bw = Math.max(2, Math.min(36, slot * 0.6))
            return (
              <rect
                key={`b${d.label}`}
                x={x(i) - bw / 2}
                y={y(d.value)}
                width={bw}
                height={pad.t + ih - y(d.value)}
                rx="2"
                fill={color}
                opacity={hover === null || hover === i ? 0.9 : 0.5}
              />
            )
          })
        )}
        {data.map((d, i) => (
          <rect
            key={`h${d.label}`}
            x={kind === 'bar' ? pad.l + slot * i : x(i) - (n > 1 ? step / 2 : iw / 2)}
            y={pad.t}
            width={kind === 'bar' ? slot : n > 1 ? step : iw}
            height={ih}
            fill="transparent"
            onMouseEnter={() => setHover(i)}
          >
            <title>{`${d.label}: ${fmt(d.value)}`}</title>
          </rect>
        ))}
        {hover !== null && data[hover] ? (
          <g pointerEvents="none">
            <line x1={x(hover)} x2={x(hover)} y1={pad.t} y2={pad.t + ih} stroke="#c9cdd4" />
            <rect
              x={Math.min(x(hover) + 6, W - 150)}
              y={pad.t}
              width="140"
              height="36"
              rx="4"
              fill="#1d2129"
              opacity="0.88"
            />
            <text x={Math.min(x(hover) + 14, W - 142)} y={pad.t + 15} fontSize="11" fill="#fff">
              {data[hover].label}
            </text>
            <text
              x={Math.min(x(hover) + 14, W - 142)}
              y={pad.t + 29}
              fontSize="12"
              fill="#fff"
              fontWeight="600"
            >
              {fmt(data[hover].value)}
            </text>
          </g>
        ) : null}
      </svg>
    </div>
  )
}
