import { z } from 'zod'
import { name } from './common.ts'
import { PROTOCOL_IDS } from '../protocol/protocol-adapter.ts'

export const providers = PROTOCOL_IDS
export const providerSchema = z.enum(providers)

const modelName = z.string().trim().min(1).max(200)
const httpUrl = z
  .string()
  .max(2000)
  .refine((v) => {
    try {
      const u = new URL(v)
      return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password && !u.hash
    } catch {
      return false
    }
  }, 'must be an http(s) URL without credentials or fragment')

const headerMap = z
  .record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'invalid header name'), z.string().max(4000))
  .refine((m) => Object.keys(m).length <= 50, 'at most 50 headers')
const timeout = z.number().int().min(100).max(3_600_000).nullable().optional()

const channelFields = {
  name,
  provider: providerSchema,
  base_url: httpUrl,
  api_key: z.string().min(1).max(4000),
  weight: z.number().int().min(0).max(10_000).optional(),
  enabled: z.boolean().optional(),
  models: z.array(modelName).max(5000).optional(),
  model_mapping: z
    .record(modelName, modelName)
    .refine((m) => Object.keys(m).length <= 5000, 'at most 5000 entries')
    .optional(),
  extra_headers: headerMap.optional(),
  connect_timeout_ms: timeout,
  first_byte_timeout_ms: timeout,
  idle_timeout_ms: timeout,
  proxy_url: httpUrl.nullable().optional(),
  /** Free labels the Channels page filters by. */
  tags: z.array(z.string().trim().min(1).max(40)).max(20).optional(),
  /** OpenAI channels: the server has `/v1/responses` (default true); false translates Responses to chat. */
  responses_api: z.boolean().optional(),
}

export const createChannelBody = z.strictObject(channelFields)
export type CreateChannelBody = z.infer<typeof createChannelBody>
export const updateChannelBody = z.strictObject(channelFields).partial()
export type UpdateChannelBody = z.infer<typeof updateChannelBody>

/** Enable or disable several channels at once (the Channels page's bulk action). */
export const bulkChannelsBody = z.strictObject({
  ids: z.array(z.string().min(1).max(64)).min(1).max(500),
  enabled: z.boolean(),
})
