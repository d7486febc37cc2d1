/** Loads the recorded machine snapshots and scenarios in fixtures/fingerprints/. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ComponentName, MachineSnapshot, MatchPolicy } from '../../src/fingerprint/index.ts';

const dir = fileURLToPath(new URL('../../fixtures/fingerprints/', import.meta.url));

/** One recorded snapshot with what its fingerprint must show. */
export interface SnapshotFixture {
  readonly description: string;
  readonly snapshot: MachineSnapshot;
  readonly expect: {
    readonly status: Record<string, string>;
    readonly macCount?: number;
    /** The one component the machine code comes from, or the error code when no code can be derived. */
    readonly machineCodeBasis: ComponentName[] | { readonly error: 'ERR_FINGERPRINT_UNAVAILABLE' };
    readonly environment: { virtualMachine: boolean; container: boolean; hypervisor?: string; containerRuntime?: string; userNamespace?: boolean; overlaidPaths?: string[] };
  };
}

/** One activation-versus-later scenario. */
export interface ScenarioFixture {
  readonly name: string;
  readonly activation: string;
  readonly later: string;
  readonly policy?: MatchPolicy;
  readonly expect: {
    matched: boolean;
    reason: string;
    mismatched: string[];
    unknown: string[];
    sameMachineCode: boolean;
    /** The match score, when the scenario pins it. */
    score?: number;
    /** The code `recordFingerprint` refuses the activation fingerprint with; the scenario then matches the full fingerprint. */
    recordError?: string;
  };
}

/** Reads fixtures/fingerprints/<name>.json. */
export function loadSnapshot(name: string): SnapshotFixture {
  return JSON.parse(readFileSync(`${dir}${name}.json`, 'utf8')) as SnapshotFixture;
}

/** Reads fixtures/fingerprints/scenarios.json. */
export function loadScenarios(): ScenarioFixture[] {
  return JSON.parse(readFileSync(`${dir}scenarios.json`, 'utf8')) as ScenarioFixture[];
}

/** Names of every snapshot fixture. */
export const SNAPSHOT_NAMES = [
  'windows-desktop',
  'windows-desktop-os-reinstall',
  'macos-laptop',
  'linux-server',
  'linux-server-unprivileged',
  'linux-server-disk-swap',
  'linux-laptop',
  'linux-laptop-wifi-off',
  'docker-container',
  'docker-container-recreated',
  'vm-clone-a',
  'vm-clone-b',
  'container-host-network',
  'container-cpu-only',
  'vm-clone-as-user',
  'container-machine-id-only',
  'host-with-copied-machine-id',
  'spoofed-mac-rest-hidden',
] as const;

/** Snapshots from which a machine code can be derived (all but those whose `expect.machineCodeBasis` is an error). */
export const CODED_SNAPSHOT_NAMES = SNAPSHOT_NAMES.filter((name) => Array.isArray(loadSnapshot(name).expect.machineCodeBasis));
