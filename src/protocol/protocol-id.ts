/** The wire protocols the gateway speaks, to clients and to providers alike. The one declaration of the list. */
export const PROTOCOL_IDS = ['openai', 'anthropic', 'gemini'] as const
export type ProtocolId = (typeof PROTOCOL_IDS)[number]
