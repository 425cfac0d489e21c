import { z } from 'zod'

export const loginBody = z.strictObject({
  username: z.string().min(1).max(256),
  password: z.string().max(1024),
})
export type LoginBody = z.infer<typeof loginBody>
