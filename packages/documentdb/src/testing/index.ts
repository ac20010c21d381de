export {
  createDocumentDbTestAdapter,
  createTestAdapter,
  type DocumentDbTestAdapter,
  type DocumentDbTestTarget,
} from './documentdb-test-adapter';
