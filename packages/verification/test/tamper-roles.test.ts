import { tamperSuite } from './tamper-suite';
import { roleTamperings } from './tamperings/surface';

tamperSuite('the API roles', roleTamperings);
