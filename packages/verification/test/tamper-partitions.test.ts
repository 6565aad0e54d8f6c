import { tamperSuite } from './tamper-suite';
import { partitionTamperings } from './tamperings/surface';

tamperSuite('partitions', partitionTamperings);
