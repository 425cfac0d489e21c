import { z } from 'zod'
import { usdAmount } from './common.ts'

export const roles = ['user', 'admin', 'superadmin'] as const
export const roleSchema = z.enum(roles)
export type Role = z.infer<typeof roleSchema>

const username = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[\p{L}\p{N}._@-]+$/u, 'may contain letters, digits, . _ @ and - only')
  .refine((u) => u !== '_admin_fallback', 'is reserved')

/** The one rule for a new password, whoever sets it (an administrator, or the user changing their own). */
const newPassword = z.string().min(8).max(1024)

export const createUserBody = z.strictObject({
  username,
  password: newPassword,
  display_name: z.string().max(200).nullable().optional(),
  quota_usd: usdAmount.nullable().optional(),
  role: roleSchema.optional(),
})
export type CreateUserBody = z.infer<typeof createUserBody>

export const updateUserBody = z.strictObject({
  display_name: z.string().max(200).nullable().optional(),
  password: newPassword.optional(),
  quota_usd: usdAmount.nullable().optional(),
  disabled: z.boolean().optional(),
  role: roleSchema.optional(),
})
export type UpdateUserBody = z.infer<typeof updateUserBody>

export const setRoleBody = z.strictObject({ role: roleSchema })
export const promoteBody = z.strictObject({ username, role: roleSchema })

/** A local user changing their own password: the current one proves it is them. */
export const changePasswordBody = z.strictObject({
  current_password: z.string().min(1).max(1024),
  new_password: newPassword,
})
export type ChangePasswordBody = z.infer<typeof changePasswordBody>
