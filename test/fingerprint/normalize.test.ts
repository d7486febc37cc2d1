import { describe, expect, test } from 'vitest';
import { canonicalMac, classifyInterface, JUNK_VALUES, normalizeIdentifier } from '../../src/fingerprint/index.ts';
import { cpuDescriptor } from '../../src/fingerprint/normalize.ts';

describe('normalizeIdentifier', () => {
  const junk = [
    'To be filled by O.E.M.',
    'TO BE FILLED BY O.E.M.',
    '  To Be Filled By O.E.M.  ',
    'Default string',
    'Not Specified',
    'Not Applicable',
    'System Serial Number',
    'Chassis Serial Number',
    'Base Board Serial Number',
    'Type2 - Board Serial Number',
    '0',
    '00000000',
    'None',
    'N/A',
    'Unknown',
    'OEM',
    '123456789',
    '-',
    '   ',
    'XXXXXXXXXX',
    '00000000-0000-0000-0000-000000000000',
    'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '03000200-0400-0500-0006-000700080009',
    '{00000000-0000-0000-0000-000000000000}',
    'uninitialized',
  ];
  test.each(junk)('rejects %j as junk', (raw) => {
    expect(normalizeIdentifier(raw)).toHaveProperty('junk');
  });

  test('every listed placeholder is rejected', () => {
    for (const value of JUNK_VALUES) expect(normalizeIdentifier(value), value).toHaveProperty('junk');
  });

  test.each([
    ['4c4c4544-0042-3510-8052-b7c04f4d4432', '4C4C4544004235108052B7C04F4D4432'],
    ['{4C4C4544-0042-3510-8052-B7C04F4D4432}', '4C4C4544004235108052B7C04F4D4432'],
    ['  CZ31110LK2\n', 'CZ31110LK2'],
    ['VMware-56 4d 2a 3b', 'VMWARE564D2A3B'],
    ['S3Z9NB0K123456A\u0000', 'S3Z9NB0K123456A'],
  ])('normalises %j to %j', (raw, value) => {
    expect(normalizeIdentifier(raw)).toEqual({ value });
  });

  test('case and separators do not change the value', () => {
    expect(normalizeIdentifier('ab-cd_12.34')).toEqual(normalizeIdentifier('ABCD 1234'));
  });
});

describe('MAC rules', () => {
  test.each([
    ['00:1b:21:3a:4f:10', '001B213A4F10'],
    ['00-1B-21-3A-4F-10', '001B213A4F10'],
    ['001b.213a.4f10', '001B213A4F10'],
    ['001B213A4F10', '001B213A4F10'],
    ['00:1b:21:3a:4f', null],
    ['zz:1b:21:3a:4f:10', null],
    ['', null],
  ])('canonicalMac(%j) is %j', (raw, expected) => {
    expect(canonicalMac(raw)).toBe(expected);
  });

  test('keeps a permanent, globally administered address of a physical adapter, up or down', () => {
    expect(classifyInterface({ name: 'eno1', mac: '94:18:82:6a:7b:10', physical: true, permanent: true, up: true })).toEqual({ kept: true, mac: '9418826A7B10' });
    expect(classifyInterface({ name: 'wlp0s20f3', mac: 'f8:e4:e3:01:02:03', physical: true, wireless: true, up: false })).toEqual({ kept: true, mac: 'F8E4E3010203' });
  });

  test.each([
    ['docker0', '02:42:8c:1d:3e:4f', 'virtual'],
    ['veth3a9f2c1', '00:1b:21:00:00:01', 'virtual'],
    ['br-5f2c7a9d1e03', '00:1b:21:00:00:02', 'virtual'],
    ['virbr0', '00:1b:21:00:00:03', 'virtual'],
    ['vmnet8', '00:50:56:c0:00:08', 'virtual'],
    ['vboxnet0', '0a:00:27:00:00:00', 'virtual'],
    ['vEthernet (Default Switch)', '00:15:5d:01:02:03', 'virtual'],
    ['VirtualBox Host-Only Network', '0a:00:27:00:00:05', 'virtual'],
    ['awdl0', '00:1b:21:00:00:04', 'virtual'],
    ['lo', '00:00:00:00:00:00', 'virtual'],
  ])('drops %s as %s', (name, mac, reason) => {
    expect(classifyInterface({ name, mac, physical: true })).toEqual({ kept: false, reason });
  });

  test('drops adapters without a backing device, USB adapters, non-permanent, local, multicast and junk addresses', () => {
    expect(classifyInterface({ name: 'eth0', mac: '00:1b:21:3a:4f:10', physical: false })).toEqual({ kept: false, reason: 'virtual' });
    expect(classifyInterface({ name: 'enx00e04c680102', mac: '00:e0:4c:68:01:02', physical: true, usb: true })).toEqual({ kept: false, reason: 'usb' });
    expect(classifyInterface({ name: 'wlan0', mac: '00:1b:21:3a:4f:10', physical: true, permanent: false })).toEqual({ kept: false, reason: 'not-permanent' });
    expect(classifyInterface({ name: 'wlan0', mac: 'da:a1:19:00:11:22', physical: true })).toEqual({ kept: false, reason: 'locally-administered' });
    expect(classifyInterface({ name: 'eth0', mac: '52:54:00:12:34:56', physical: true })).toEqual({ kept: false, reason: 'locally-administered' });
    expect(classifyInterface({ name: 'eth0', mac: '01:00:5e:00:00:01', physical: true })).toEqual({ kept: false, reason: 'multicast' });
    expect(classifyInterface({ name: 'eth0', mac: '00:00:00:00:00:00', physical: true })).toEqual({ kept: false, reason: 'junk' });
    expect(classifyInterface({ name: 'eth0', mac: 'ff:ff:ff:ff:ff:ff', physical: true })).toEqual({ kept: false, reason: 'junk' });
    expect(classifyInterface({ name: 'eth0', mac: 'not a mac', physical: true })).toEqual({ kept: false, reason: 'junk' });
  });
});

describe('cpuDescriptor', () => {
  test('ignores whitespace and case, rejects an empty description', () => {
    const a = cpuDescriptor({ vendor: 'GenuineIntel', model: 'Intel(R)  Core(TM) i7', family: '6', modelNumber: '158', stepping: '10' });
    const b = cpuDescriptor({ vendor: 'genuineintel', model: ' Intel(R) Core(TM) i7 ', family: '6', modelNumber: '158', stepping: '10' });
    expect(a).toEqual(b);
    expect(a).toHaveProperty('value');
    expect(cpuDescriptor({ vendor: ' ', model: '', family: '', modelNumber: '', stepping: '' })).toHaveProperty('junk');
  });
});
