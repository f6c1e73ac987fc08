// What a badge says and how it is drawn: the label, message and colour of a server's headline number (the
// protocol's formatting and thresholds), as an SVG by shields.io's own renderer (badge-maker: its Verdana 11px
// character-width tables size each half to its text, and `textLength` holds the text to that width whatever
// font the viewer has) or as a shields.io endpoint body.
import {
  type BadgeColor,
  type BadgeEndpointResponse,
  type BadgeMetric,
  type BadgeStyle,
  badgeColor,
  badgeLabel,
  badgeValue,
  formatBadgeValue,
  type HeadlineNumbers,
  PERIOD_SPECS,
  type Period,
} from '@mcpdir/metrics/protocol'

/** A badge's text and colour, before it is drawn. */
export interface BadgeContent {
  label: string
  message: string
  color: BadgeColor
}

/** The label, message and colour of `metric` over `period` for a server's headline numbers. */
export function badgeContent(numbers: HeadlineNumbers, metric: BadgeMetric, period: Period, label?: string): BadgeContent {
  const value = badgeValue(numbers, metric)
  return { label: badgeLabel(metric, period, label), message: formatBadgeValue(metric, value), color: badgeColor(metric, value) }
}

/** The shields.io endpoint body of a badge; `style` only when asked for. */
export function badgeEndpointBody(content: BadgeContent, period: Period, style: BadgeStyle | undefined): BadgeEndpointResponse {
  return { schemaVersion: 1, ...content, cacheSeconds: PERIOD_SPECS[period].cacheSeconds, ...(style && { style }) }
}

type MakeBadge = (format: { label: string; message: string; color: string; style: BadgeStyle }) => string

// Loaded on the first badge: its width tables are a few hundred kilobytes of JSON a service that serves none
// need not parse.
let renderer: Promise<MakeBadge> | undefined
const loadRenderer = () =>
  (renderer ??= import('badge-maker').then(
    (m) => m.makeBadge as MakeBadge,
    (error: unknown) => {
      renderer = undefined // try again on the next badge
      throw error
    },
  ))

/** The SVG of a badge: `role="img"`, `aria-label` and `<title>` saying "label: message". */
export async function renderBadgeSvg(content: BadgeContent, style: BadgeStyle): Promise<string> {
  const makeBadge = await loadRenderer()
  return makeBadge({ label: content.label, message: content.message, color: content.color, style })
}
