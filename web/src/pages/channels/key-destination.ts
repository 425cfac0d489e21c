/** scheme://host:port of a URL, or the text itself while it is not yet a valid URL. */
function originOf(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return url
  }
}

/**
 * The edited fields that would send the channel's stored key somewhere new. The server refuses such a change
 * without the key (docs/security.md, "Channel keys follow their address"); the drawer asks for it up front.
 * Header values are never sent to the dashboard, so any edit of the extra headers counts.
 */
export function keyDestinationChanges(
  editing: { base_url: string; proxy_url?: string | null },
  next: { base_url: string; proxy_url: string | null; headersTouched: boolean },
): string[] {
  const out: string[] = []
  if (next.base_url && originOf(next.base_url) !== originOf(editing.base_url)) out.push('base_url')
  if (next.proxy_url && originOf(next.proxy_url) !== (editing.proxy_url ? originOf(editing.proxy_url) : null))
    out.push('proxy_url')
  if (next.headersTouched) out.push('extra_headers')
  return out
}
