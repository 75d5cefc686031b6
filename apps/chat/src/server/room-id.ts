/** A room's id from its name: lower-case ASCII words joined by dashes (`Design Reviews` → `design-reviews`). */
export function roomIdOf(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
}
