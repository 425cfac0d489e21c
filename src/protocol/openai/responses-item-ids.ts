/**
 * Item ids a Responses client sees when the upstream gave none in OpenAI's form, derived from what the upstream
 * did give (the pairing id, the response id and the output position) so a translation stays deterministic.
 * A call's item id (`fc_…`) is never its `call_id` (translation-map §8 #22).
 */
const clean = (s: string): string => s.replace(/[^A-Za-z0-9_-]/g, '_')

/** `resp_…` from the upstream's answer id. */
export const responseIdOf = (id: string): string => (id.startsWith('resp_') ? id : `resp_${clean(id)}`)

/** The bare part of a response id, shared by its items' ids. */
const base = (responseId: string): string => responseId.replace(/^resp_/, '')

export const callItemIdOf = (callId: string): string => `fc_${clean(callId)}`
export const customCallItemIdOf = (callId: string): string => `ctc_${clean(callId)}`
export const messageItemIdOf = (responseId: string, outputIndex: number): string =>
  `msg_${base(responseId)}_${outputIndex}`
export const reasoningItemIdOf = (responseId: string, outputIndex: number): string =>
  `rs_${base(responseId)}_${outputIndex}`
