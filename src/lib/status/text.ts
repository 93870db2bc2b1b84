/** Small text helpers for anything read from AWS before it reaches a terminal. */

import {safeLine as visible} from '../../util/safe-text.js'

export {visible}

/** One line, visible, at most `max` characters. */
export const oneLine = (s: string, max = 160): string => {
  const flat = visible(s.replaceAll(/\s*\n\s*/g, ' ').trim())
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/** "2026-11-26T11:47:03.000Z" → "11-26 11:47" (UTC). */
export const shortTime = (d: Date | string | undefined): string => {
  if (!d) return '?'
  const iso = (typeof d === 'string' ? new Date(d) : d).toISOString()
  return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`
}

/** 7980000 → "2h13m ago". */
export const ago = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s}s ago`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ago`
  const h = Math.floor(m / 60)
  if (h < 48) return `${h}h${m % 60 ? `${m % 60}m` : ''} ago`
  return `${Math.floor(h / 24)}d ago`
}

/** "repo/name:tag" → "tag"; "repo@sha256:abcdef…" → "sha256:abcdef123456"; no tag → "latest". */
export function imageTag(image: string | undefined): string | undefined {
  if (!image) return undefined
  const at = image.indexOf('@')
  if (at >= 0) return image.slice(at + 1, at + 1 + 19)
  const last = image.slice(image.lastIndexOf('/') + 1)
  const colon = last.lastIndexOf(':')
  return colon >= 0 ? last.slice(colon + 1) : 'latest'
}
