import { tamperSuite } from './tamper-suite';
import { exposedTamperings } from './tamperings/surface';

tamperSuite('the exposed schema', exposedTamperings);
