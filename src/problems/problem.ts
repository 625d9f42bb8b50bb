import type { IncidentKind } from '../incidents/incident.js';

/** open → known_error (cause and workaround written down) → resolved. */
export type ProblemStatus = 'open' | 'known_error' | 'resolved';

/** An ITIL problem record: the unknown (or known but unfixed) cause behind one or more incidents. */
export interface Problem {
  id: string;
  teamId: string;
  title: string;
  description: string;
  knownError: string;
  workaround: string;
  ownerId: string;
  status: ProblemStatus;
  /** Linked to a security incident: its details stay out of shared listings. */
  private: boolean;
  resolution: string | null;
  createdBy: string;
  createdAt: Date;
  resolvedAt: Date | null;
  incidents: { id: string; number: number; kind: IncidentKind; channelId: string | null }[];
}

/** What the problem form holds. */
export interface ProblemFields {
  title: string;
  description: string;
  knownError: string;
  workaround: string;
  ownerId: string;
}

/** How problem records are referred to: PRB-3. */
export function problemRef(p: Pick<Problem, 'id'>): string {
  return `PRB-${p.id}`;
}

/** Parses `PRB-3`, `prb3` or `3`. */
export function parseProblemRef(text: string): string | undefined {
  const m = /^(?:PRB-?)?(\d{1,18})$/i.exec(text.trim());
  return m ? m[1] : undefined;
}

/** A problem whose cause and workaround are written down is a known error (until it is resolved). */
export function statusFor(fields: Pick<ProblemFields, 'knownError' | 'workaround'>): ProblemStatus {
  return fields.knownError.trim() && fields.workaround.trim() ? 'known_error' : 'open';
}
