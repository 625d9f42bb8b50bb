/** The parts of `/incident itsm` each ITSM connector (ServiceNow, Jira) brings: plain text, no Slack calls. */
import type { Incident } from '../incidents/incident.js';

/** One outside system's part of `/incident itsm` (ServiceNow, Jira). */
export interface ItsmPanel {
  system: string;
  /** Null when configured; else how to configure it. */
  notConfigured: string | null;
  /** The outbox lanes of its deliveries (`/incident itsm` lists those given up; `retry` sends them again). */
  lanes: string[];
  /** Who may send its given-up deliveries again (its policy `operators`); empty: anyone. */
  operators: string[];
  /** The incident's record there and its sync state. */
  status(incident: Incident): Promise<string>;
  /** The connection, the account's permissions, what the project requires. */
  test(): Promise<string>;
}

/** The connectors' panels, added as they register (read when the command runs). */
export class ItsmPanels {
  readonly panels: ItsmPanel[] = [];
  add(panel: ItsmPanel): void {
    this.panels.push(panel);
  }
}
