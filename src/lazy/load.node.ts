/**
 * What Node's `licensekit` loads on first use, so that `import 'licensekit'`
 * (a game's or a CLI's start-up) compiles only what a Cryptolens or native
 * license needs: Keygen's and NetLicensing's readers, and the WebCrypto and
 * pure-JavaScript backends. Each loader returns its part's module.
 *
 * In the sources (tests, tsx) these are plain imports. scripts/build.mjs
 * builds each part into `dist/node/lazy/<part>.cjs` and puts in place of this
 * module one whose loaders `require()` that file the first time they are
 * called: synchronously, so `verifyLicenseSync` reads a Keygen file as before,
 * and as CommonJS, which Node 20 requires from an ES module before 20.19. Each
 * part bundles its own copy of what it uses; error classes answer `instanceof`
 * across copies (`LicenseKitError[Symbol.hasInstance]`), and every part hands
 * back plain data.
 */
import * as keygen from './keygen.ts';
import * as netlicensing from './netlicensing.ts';
import * as purejs from './purejs.ts';
import * as webcrypto from './webcrypto.ts';

export const loadKeygen = (): typeof keygen => keygen;
export const loadNetlicensing = (): typeof netlicensing => netlicensing;
export const loadPurejs = (): typeof purejs => purejs;
export const loadWebcrypto = (): typeof webcrypto => webcrypto;
