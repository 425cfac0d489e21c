/** Untyped JSON from the wire (provider payloads vary); narrowed where it is read. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any
