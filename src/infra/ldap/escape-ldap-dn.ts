/**
 * RFC 4514 escaping for one attribute value inside a DN, e.g. `uid=${escapeLdapDnValue(name)},ou=people,...`.
 *
 * Without it `admin,ou=Admins` would add an RDN and bind as a different entry. This is a different
 * alphabet from filter escaping: `*` and `(` are harmless in a DN, `,` and `+` are not.
 * `=` is not mandatory in RFC 4514 but escaping it is allowed and keeps odd servers from mis-parsing.
 */
const DN_SPECIALS = new Set([',', '+', '"', '\\', '<', '>', ';', '='])

function hexEscape(ch: string): string {
  return '\\' + ch.charCodeAt(0).toString(16).padStart(2, '0')
}

export function escapeLdapDnValue(value: string): string {
  let out = ''
  const last = value.length - 1
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]
    const code = ch.charCodeAt(0)
    if (DN_SPECIALS.has(ch)) out += '\\' + ch
    // Control characters (NUL included) are escaped as hex so a DN never carries raw control bytes.
    else if (code < 0x20 || code === 0x7f) out += hexEscape(ch)
    else if (i === 0 && (ch === ' ' || ch === '#')) out += '\\' + ch
    else if (i === last && ch === ' ') out += '\\ '
    else out += ch
  }
  return out
}
