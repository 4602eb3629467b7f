import { s, setAttr } from './dom.js'

const W = 120
const H = 26

/** A small line chart of a series (oldest first), scaled to its own maximum. */
export function sparkline (label: string): SVGSVGElement {
  return s('svg', { class: 'spark', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': label },
    s('path', { class: 'area' }),
    s('polyline', { class: 'line' }))
}

export function drawSparkline (svg: SVGSVGElement, values: number[], slots = 60): void {
  const max = Math.max(1e-9, ...values)
  const step = W / Math.max(1, slots - 1)
  const x0 = W - (values.length - 1) * step
  const points = values.map((v, i) => `${(x0 + i * step).toFixed(1)},${(H - 1 - (v / max) * (H - 3)).toFixed(1)}`)
  setAttr(svg.querySelector('polyline')!, 'points', points.join(' '))
  setAttr(svg.querySelector('path')!, 'd', points.length < 2 ? '' : `M${points[0]} L${points.join(' L')} L${W},${H} L${x0.toFixed(1)},${H} Z`)
  setAttr(svg, 'data-max', Math.max(...values, 0))
}
