// happy-dom has no IndexedDB: install fake-indexeddb's globals for every unit test.
import 'fake-indexeddb/auto';
