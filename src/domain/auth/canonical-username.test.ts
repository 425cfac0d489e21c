import { describe, expect, it } from 'vitest'
import {
  RESERVED_USERNAME,
  canonicalUsername,
  isReservedUsername,
  usernameSkeleton,
} from './canonical-username.ts'

describe('canonical usernames (issue 15 defects 1 and 10)', () => {
  it('folds width, case and invisible characters into one name', () => {
    expect(canonicalUsername('ｖｉｃｔｉｍ')).toBe('victim')
    expect(canonicalUsername(' Victim ')).toBe('victim')
    expect(canonicalUsername('vic\u200btim')).toBe('victim')
    expect(canonicalUsername('STRASSE')).toBe(canonicalUsername('straße'))
    expect(canonicalUsername('ΟΔΥΣΣΕΥΣ')).toBe(canonicalUsername('οδυσσευς'))
  })

  it('keeps Chinese and other scripts without case as they are', () => {
    expect(canonicalUsername('张伟')).toBe('张伟')
    expect(canonicalUsername('山田太郎')).toBe('山田太郎')
    expect(canonicalUsername('иван')).toBe('иван')
    expect(usernameSkeleton('张伟')).toBe('张伟')
  })

  it('gives Latin look-alikes from Cyrillic and Greek the skeleton of the Latin name', () => {
    expect(usernameSkeleton(canonicalUsername('аdmin'))).toBe('admin') // Cyrillic а
    expect(usernameSkeleton(canonicalUsername('АDMIN'))).toBe('admin')
    expect(usernameSkeleton(canonicalUsername('αdmin'))).toBe('admin') // Greek alpha
    expect(usernameSkeleton(canonicalUsername('ｒоｏｔ'))).toBe('root') // fullwidth and Cyrillic о
    expect(usernameSkeleton('alice')).toBe('alice')
    expect(usernameSkeleton('bob')).not.toBe(usernameSkeleton('alice'))
  })

  it('recognises the break-glass name in any case, width or look-alike spelling', () => {
    for (const name of [
      RESERVED_USERNAME,
      '_ADMIN_FALLBACK',
      '_Admin_Fallback',
      ' _admin_fallback ',
      '＿ａｄｍｉｎ＿ｆａｌｌｂａｃｋ',
      '_ＡＤＭＩＮ_ＦＡＬＬＢＡＣＫ',
      '_аdmin_fallback', // Cyrillic а
      '_admin\u200b_fallback',
    ]) {
      expect(isReservedUsername(name), JSON.stringify(name)).toBe(true)
    }
    for (const name of ['admin_fallback', '_admin_fallback2', 'admin', '张伟']) {
      expect(isReservedUsername(name), name).toBe(false)
    }
  })
})
