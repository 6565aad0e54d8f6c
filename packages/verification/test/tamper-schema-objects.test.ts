import { cleanAndExplainedSuite, tamperSuite } from './tamper-suite';
import { schemaObjectTamperings } from './tamperings/schema-objects';

cleanAndExplainedSuite();
tamperSuite('schema objects', schemaObjectTamperings);
