'use client'
import { type Period, PERIODS } from '@mcpdir/metrics/protocol'
import { type KeyboardEvent, useRef } from 'react'

/**
 * The period choice as an ARIA radio group: Tab reaches the selected period, arrow keys (and Home / End)
 * move and select, as native radio buttons do.
 */
export function PeriodSelector({ value, onChange }: { value: Period; onChange: (period: Period) => void }) {
  const buttons = useRef<(HTMLButtonElement | null)[]>([])
  const onKeyDown = (event: KeyboardEvent) => {
    const at = PERIODS.indexOf(value)
    const next =
      event.key === 'ArrowRight' || event.key === 'ArrowDown'
        ? (at + 1) % PERIODS.length
        : event.key === 'ArrowLeft' || event.key === 'ArrowUp'
          ? (at - 1 + PERIODS.length) % PERIODS.length
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? PERIODS.length - 1
              : -1
    if (next === -1) return
    event.preventDefault()
    onChange(PERIODS[next] as Period)
    buttons.current[next]?.focus()
  }
  return (
    <div className="mcpdir-periods" role="radiogroup" aria-label="Period" onKeyDown={onKeyDown}>
      {PERIODS.map((period, i) => (
        <button
          key={period}
          ref={(el) => {
            buttons.current[i] = el
          }}
          type="button"
          role="radio"
          aria-checked={period === value}
          tabIndex={period === value ? 0 : -1}
          onClick={() => onChange(period)}
        >
          {period}
        </button>
      ))}
    </div>
  )
}
