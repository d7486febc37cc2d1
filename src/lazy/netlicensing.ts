/** NetLicensing's reader (strict XML, C14N, XML-DSig) for Node's `licensekit`, loaded on first use (see load.node.ts). */
export { netlicensingFormat } from '../formats/netlicensing/index.ts';
