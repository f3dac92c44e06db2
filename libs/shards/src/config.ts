import { settingsDefaults } from '@apollo/stage';
import { CONVERT_SETTINGS, type ConvertConfig } from './settings';

export type { ConvertConfig } from './settings';

export const DEFAULT_CONVERT_CONFIG: ConvertConfig = settingsDefaults(CONVERT_SETTINGS);
