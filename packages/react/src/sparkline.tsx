/** A tiny SVG trend line for the summary cards (decorative: the card states the number). */
export function Sparkline({ values }: { values: (number | null)[] }) {
  const points = values.map((v, i) => [i, v ?? 0] as const)
  if (points.length < 2) return null
  const max = Math.max(...points.map(([, v]) => v), 1e-9)
  const min = Math.min(...points.map(([, v]) => v), 0)
  const width = 100
  const height = 24
  const d = points
    .map(([i, v], n) => `${n === 0 ? 'M' : 'L'}${((i / (points.length - 1)) * width).toFixed(1)},${(height - ((v - min) / (max - min || 1)) * height).toFixed(1)}`)
    .join('')
  return (
    <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" aria-hidden="true" focusable="false">
      <path d={d} fill="none" stroke="var(--mcpdir-accent)" strokeWidth="1.5" vectorEffect="non-scaling-stroke" />
    </svg>
  )
}
