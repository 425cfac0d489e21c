import { z } from 'zod'
import { name } from './common.ts'

/** A group's name is typed in filters and shown as a tag: one word, no whitespace ("team a" is refused). */
const groupName = name.regex(/^\S+$/, 'must not contain spaces')

const groupFields = {
  name: groupName,
  priority: z.number().int().min(-1_000_000).max(1_000_000).optional(),
  multiplier: z.number().finite().min(0).max(1000).optional(),
  all_visible: z.boolean().optional(),
  description: z.string().max(2000).nullable().optional(),
}
export const createGroupBody = z.strictObject(groupFields)
export type CreateGroupBody = z.infer<typeof createGroupBody>
/** Groups are found by id everywhere, so a rename changes only what people read. */
export const updateGroupBody = z.strictObject({ ...groupFields, name: groupName.optional() })
export type UpdateGroupBody = z.infer<typeof updateGroupBody>
