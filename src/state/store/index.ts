/**
 * The storage layer of licensekit/state, for hosts without `node:*`
 * (browsers, workers, plugin hosts): the interface, the memory and IndexedDB
 * stores, the frame and the default-folder rule. The Node entry adds
 * `FileStore` from `./file.ts`.
 */
export type { ReadOptions, StateStore, StateUpdate, StoredState, UpdateContext, UpdateOptions } from './store.ts';
export { DEFAULT_MAX_STATE_BYTES } from './store.ts';
export { MemoryStore, type MemoryStoreOptions } from './memory.ts';
export { IndexedDbStore, type IndexedDbStoreOptions } from './indexeddb.ts';
export { defaultStateDirectory, folderName, type StateDirectoryInput } from './location.ts';
