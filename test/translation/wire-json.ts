/**
 * Provider JSON as the suite reads it: four wire formats walked field by field in assertions, whose
 * expectations are the type check (a wrong path fails the test).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: the assertions type the wire
export type WireJson = Record<string, any>
