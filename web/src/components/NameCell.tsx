/** A row's name in bold with a muted line below it (a group's description, a user's display name), when there is one. */
export function NameCell({ name, note }: { name: string; note?: string | null }) {
  return (
    <span>
      <b>{name}</b>
      {note ? (
        <div className="muted" style={{ fontSize: 12 }}>
          {note}
        </div>
      ) : null}
    </span>
  )
}
