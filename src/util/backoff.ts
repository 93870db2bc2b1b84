/**
 * Capped exponential back-off with "equal jitter": between half and all of
 * min(maxMs, baseMs·2^exponent). One formula for SDK retries, CloudFront's
 * TooManyInvalidationsInProgress and log polling after throttling.
 */
export function backoffMs(exponent: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent)
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}
