export {
  createDocumentDbTestAdapter,
  type DocumentDbTestAdapter,
  type DocumentDbTestTarget,
} from './documentdb-test-adapter';
