import type { Clock } from '../clock';
import { newAccessToken } from '../ids';

export interface Session {
  token: string;
  issuedAt: number;
  expiresAt: number;
}

/** Issued access tokens and their expiry on the emulator clock. */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly clock: Clock, public ttlMs: number) {}

  issue(): Session {
    const now = this.clock();
    const session = { token: newAccessToken(), issuedAt: now, expiresAt: now + this.ttlMs };
    this.sessions.set(session.token, session);
    return session;
  }

  isValid(token: string | undefined): boolean {
    if (token === undefined) return false;
    const session = this.sessions.get(token);
    if (session === undefined) return false;
    if (session.expiresAt <= this.clock()) {
      this.sessions.delete(token);
      return false;
    }
    return true;
  }

  /** Ends every session now (an admin revoking them, or the TTL passing for all). */
  expireAll(): number {
    const n = this.sessions.size;
    this.sessions.clear();
    return n;
  }

  get active(): number {
    return this.sessions.size;
  }
}
