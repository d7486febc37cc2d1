/**
 * Node-locking: is this machine one the license names? A machine limit of 0
 * means not node-locked. Exact activations match; floating ones while their
 * lease runs; overdraft ones only when overdraft is allowed; allowed machines
 * always match.
 */
import type { License } from '../license/model.ts';

/** Outcome of the machine rule. */
export interface MachineMatch {
  readonly ok: boolean;
  /** How it matched, or why not. */
  readonly detail: string;
}

/** Checks `machineCode` against the license at `nowMs` (tolerance applied to floating leases). */
export function matchMachine(license: License, machineCode: string, nowMs: number, toleranceMs: number, allowOverdraft: boolean): MachineMatch {
  if (license.maxNoOfMachines === 0) return { ok: true, detail: 'not node-locked (machine limit 0)' };
  let lapsed = false;
  const machines = license.activatedMachines ?? [];
  for (let i = 0; i < machines.length; i++) {
    const m = machines[i]!;
    if (m.machineCode !== machineCode || m.machineCode === '') continue;
    if (m.overdraft && !allowOverdraft) continue;
    if (m.floating && m.floatingExpires && m.floatingExpires.getTime() <= nowMs - toleranceMs) {
      lapsed = true;
      continue;
    }
    return { ok: true, detail: m.floating ? `floating${m.overdraft ? ' overdraft' : ''} activation ${m.mid}` : `activated machine ${m.mid}` };
  }
  if (license.allowedMachines?.includes(machineCode)) return { ok: true, detail: 'listed as an allowed machine' };
  if (lapsed) return { ok: false, detail: `floating activation for ${machineCode} has lapsed (its lease ended)` };
  return { ok: false, detail: `machine ${machineCode} is not activated on this license` };
}
