import { z } from 'zod'
import { name } from './common.ts'

const groupFields = {
  name,
  priority: z.number().int().min(-1_000_000).max(1_000_000).optional(),
  multiplier: z.number().finite().min(0).max(1000).optional(),
  all_visible: z.boolean().optional(),
  description: z.string().max(2000).nullable().optional(),
}
export const createGroupBody = z.strictObject(groupFields)
export type CreateGroupBody = z.infer<typeof createGroupBody>
/** The name is the group's identity in configs and is not renamed, as in the original. */
export const updateGroupBody = z.strictObject({ ...groupFields, name: name.optional() }).omit({ name: true })
export type UpdateGroupBody = z.infer<typeof updateGroupBody>
