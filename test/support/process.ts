import { readdirSync, readFileSync } from 'node:fs';

/** Whether a process with this pid still exists (signal 0 checks without sending anything). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The fields of /proc/<pid>/stat (or of one thread's, /proc/<pid>/task/<tid>/stat) after the
 * command name, which may itself hold spaces and parentheses: [0] is the state (field 3 of proc(5)).
 */
function statFields(pid: number, tid?: number): string[] {
  const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The session id of a process (field 6). */
export const sessionOf = (pid: number) => Number(statFields(pid)[3]);

/** The nice value of each of a process's threads (field 19): Linux keeps it per thread. */
export const threadNices = (pid: number) => readdirSync(`/proc/${pid}/task`).map((tid) => Number(statFields(pid, Number(tid))[16]));

/** A process's autogroup line ("/autogroup-<n> nice <v>"). */
export const autogroupOf = (pid: number) => readFileSync(`/proc/${pid}/autogroup`, 'utf8').trim();
