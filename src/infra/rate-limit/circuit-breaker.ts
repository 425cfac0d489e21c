import type { Clock } from '../clock.ts'

export interface CircuitBreakerOptions {
  clock: Clock
  /** Consecutive failures that open the circuit. */
  failureThreshold: number
  /** How long an open circuit fails fast before one probe call is let through. */
  cooldownMs: number
}

/**
 * Closed: calls pass. After `failureThreshold` consecutive failures it opens: calls fail at once, so a
 * black-holed backend costs one timeout per cooldown rather than one per request. After the cooldown a single
 * probe passes (half-open); its success closes the circuit, its failure opens it again.
 */
export class CircuitBreaker {
  private failures = 0
  private openUntil = 0
  private probing = false

  constructor(private readonly opts: CircuitBreakerOptions) {}

  get consecutiveFailures(): number {
    return this.failures
  }

  get isOpen(): boolean {
    return this.failures >= this.opts.failureThreshold
  }

  /** Whether a call may go to the backend now; in half-open state only the first caller gets true. */
  tryPass(): boolean {
    if (!this.isOpen) return true
    if (this.probing || this.opts.clock.now() < this.openUntil) return false
    this.probing = true
    return true
  }

  success(): void {
    this.failures = 0
    this.probing = false
  }

  failure(): void {
    this.failures++
    this.probing = false
    if (this.isOpen) this.openUntil = this.opts.clock.now() + this.opts.cooldownMs
  }

  reset(): void {
    this.success()
    this.openUntil = 0
  }
}
