import { runStageCli } from '@apollo/stage';
import { langidStage } from '@apollo/langid';

runStageCli(langidStage, __filename);
