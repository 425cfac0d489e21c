import { niceTicks } from '../lib/format.ts'
import { useWidth } from './useWidth.ts'

export interface StackSeries {
  name: string
  color: string
  /** One value per label. */
  values: number[]
}

/** Distinct, colour-blind-friendlier hues for stacked series (the last, "other", is grey). */
export const SERIES_COLORS = ['#165dff', '#ff7d00', '#14c9c9', '#722ed1', '#f53f3f', '#00b42a', '#86909c']

/** Stacked bars per label with a legend: spend or requests over time split by user, model, key or group. */
export function StackedChart(props: {
  labels: string[]
  series: StackSeries[]
  format: (v: number) => string
  integer?: boolean
  height?: number
  testId?: string
  ariaLabel: string
}) {
  const { labels, series, height = 240 } = props
  const { ref: boxRef, width: W } = useWidth()
  const pad = { l: 56, r: 16, t: 12, b: 28 }
  const iw = W - pad.l - pad.r
  const ih = height - pad.t - pad.b
  const totals = labels.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0))
  const ticks = niceTicks(Math.max(0, ...totals), 4, props.integer)
  const max = ticks[ticks.length - 1]
  const y = (v: number) => pad.t + ih - (v / max) * ih
  const slot = labels.length ? iw / labels.length : iw
  const bw = Math.max(2, Math.min(36, slot * 0.6))
  const labelEvery = Math.max(1, Math.ceil(labels.length / Math.max(2, Math.floor(W / 80))))
  return (
    <div ref={boxRef} style={{ width: '100%' }} data-testid={props.testId}>
      <svg
        viewBox={`0 0 ${W} ${height}`}
        width="100%"
        role="img"
        aria-label={props.ariaLabel}
        className="chart"
      >
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
              {props.format(tv)}
            </text>
          </g>
        ))}
        {labels.map((label, i) => {
          let base = 0
          const x = pad.l + slot * i + slot / 2
          return (
            <g key={label}>
              {series.map((s) => {
                const v = s.values[i] ?? 0
                const top = base + v
                const rect =
                  v > 0 ? (
                    <rect
                      key={s.name}
                      x={x - bw / 2}
                      y={y(top)}
                      width={bw}
                      height={y(base) - y(top)}
                      fill={s.color}
                      data-series={s.name}
                    >
                      <title>{`${label} · ${s.name}: ${props.format(v)}`}</title>
                    </rect>
                  ) : null
                base = top
                return rect
              })}
              {i % labelEvery === 0 || i === labels.length - 1 ? (
                <text x={x} y={height - 8} textAnchor="middle" fontSize="11" className="chart-tick">
                  {label.length > 5 ? label.slice(5) : label}
                </text>
              ) : null}
            </g>
          )
        })}
      </svg>
      <ul className="chart-legend">
        {series.map((s) => (
          <li key={s.name} data-testid="legend-item">
            <span className="chart-swatch" style={{ background: s.color }} aria-hidden="true" />
            {s.name}
          </li>
        ))}
      </ul>
    </div>
  )
}
