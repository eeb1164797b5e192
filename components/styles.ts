// Older call sites' names for the components/ui classes; new code uses <Button>, <Field> and friends directly.
import { buttonClass } from './ui/button';
export { INPUT_CLASS as INPUT, LABEL_CLASS as LABEL } from './ui/field';
export const PRIMARY = buttonClass('primary');
export const SECONDARY = buttonClass('secondary');
export const DANGER = buttonClass('danger');
