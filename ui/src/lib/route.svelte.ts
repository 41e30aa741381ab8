// Which screen the unlocked app shows. No URL routing: the page lives at one address and
// is reloaded on lock, so nothing of where the user was survives a lock.
export type Screen =
  | { name: "list" }
  | { name: "testimony"; id: string }
  | { name: "new" }
  | { name: "custody" }
  | { name: "export" }
  | { name: "import" }
  | { name: "received"; id?: string; version?: number; sender?: string }
  | { name: "dashboard" }
  // `person`: a person id or the id of one of its records, whose person is shown.
  | { name: "persons"; tab?: "queue" | "list"; person?: string }
  | { name: "contacts" }
  // A lawyer's cases: the list, one case, and the deadlines across cases.
  | { name: "cases" }
  | { name: "case"; id: string }
  | { name: "deadlines" }
  | { name: "settings" };

export const route = $state<{ screen: Screen }>({ screen: { name: "list" } });

export function go(screen: Screen): void {
  route.screen = screen;
}
