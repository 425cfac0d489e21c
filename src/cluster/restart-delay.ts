/**
 * How long to wait before restarting a worker that died after `failures` quick deaths in a row: at once after a
 * healthy life, then 0.5 s doubling up to 30 s, so a crash loop does not spin the machine.
 */
export function restartDelayMs(failures: number): number {
  if (failures <= 0) return 0
  return Math.min(30_000, 500 * 2 ** (failures - 1))
}
