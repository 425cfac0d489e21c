import { useEffect, useRef, useState } from 'react'

/**
 * The width of a box in px (at least `min`), followed as it resizes: the SVG charts draw in their container's own
 * pixels so text keeps its size. `initial` stands until the first measure (and where ResizeObserver is missing).
 */
export function useWidth(initial = 640, min = 280) {
  const ref = useRef<HTMLDivElement | null>(null)
  const [width, setWidth] = useState(initial)
  useEffect(() => {
    const el = ref.current
    if (!el || typeof ResizeObserver === 'undefined') return
    const ro = new ResizeObserver((entries) => {
      const w = Math.round(entries[0]?.contentRect.width ?? 0)
      if (w > 0) setWidth(Math.max(min, w))
    })
    ro.observe(el)
    return () => ro.disconnect()
  }, [min])
  return { ref, width }
}
