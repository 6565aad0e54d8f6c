import { tamperSuite } from './tamper-suite';
import { durabilityTamperings } from './tamperings/surface';

tamperSuite('durability and validity', durabilityTamperings);
