// The in-app guide (F1): whether it is open. Which screen it speaks of is the caller's
// (App.svelte knows whether the vault is new, locked or open, and on which screen).
export const guide = $state<{ open: boolean }>({ open: false });

/** The screens the guide has a part for; a screen not named here gets the list's. */
export const GUIDED = [
  "welcome", "unlock", "list", "new", "testimony", "cases", "case", "deadlines", "custody",
  "export", "import", "received", "dashboard", "persons", "contacts", "settings",
] as const;
export type Guided = (typeof GUIDED)[number];

export function guided(screen: string): Guided {
  return (GUIDED as readonly string[]).includes(screen) ? (screen as Guided) : "list";
}
