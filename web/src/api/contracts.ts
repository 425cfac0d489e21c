/** The server's request-body schemas (pure zod), shared with the dashboard so forms validate the same way. */
export { loginBody } from '../../../src/contracts/auth.ts'
export { createKeyBody, issueKeyBody, updateKeyBody } from '../../../src/contracts/keys.ts'
export { createChannelBody, updateChannelBody, providers } from '../../../src/contracts/channels.ts'
export { createGroupBody, updateGroupBody } from '../../../src/contracts/groups.ts'
export {
  rateLimitBody,
  updateRateLimitBody,
  priceBody,
  updatePriceBody,
  groupPriceBody,
  createVoucherBody,
  redeemVoucherBody,
  priceUnits,
  limitTypes,
  ruleAppliesTo,
  MAX_VOUCHER_BATCH,
} from '../../../src/contracts/billing.ts'
export {
  createUserBody,
  updateUserBody,
  setRoleBody,
  roles,
  changePasswordBody,
} from '../../../src/contracts/users.ts'
export { topUpBody } from '../../../src/contracts/billing.ts'
