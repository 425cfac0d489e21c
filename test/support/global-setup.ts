/** Nothing global to start: each suite starts what it needs (its own database, slapd, fake upstream). */
export default function setup(): void {
  process.env.TZ = 'UTC'
}
