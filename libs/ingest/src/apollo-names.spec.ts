import { inferApolloName } from './apollo-names';
import { formatFromName } from './source-files';

describe('inferApolloName', () => {
  it.each([
    ['medicalBook_en_text.json', { source: 'book', stage: 'pretrain', kind: 'text', lang: 'en' }],
    ['medicalGuideline_en_qa.json', { source: 'guideline', stage: 'pretrain', kind: 'qa', lang: 'en' }],
    ['medicalPaper_fr_text.json', { source: 'paper', stage: 'pretrain', kind: 'text', lang: 'fr' }],
    ['medicalWeb_zh_qa.json', { source: 'web', stage: 'pretrain', kind: 'qa', lang: 'zh' }],
    ['medicalWiki_hi_text.json', { source: 'encyclopedia', stage: 'pretrain', kind: 'text', lang: 'hi' }],
    ['code_en.json', { source: 'code', stage: 'sft', kind: 'qa', lang: 'en' }],
    ['general_ar.json', { source: 'general', stage: 'sft', kind: 'qa', lang: 'ar' }],
    ['math_zh.json', { source: 'math', stage: 'sft', kind: 'qa', lang: 'zh' }],
    ['medicalExam_es.json', { source: 'exam', stage: 'sft', kind: 'qa', lang: 'es' }],
    ['medicalExam_en_clean.json', { source: 'exam', stage: 'sft', kind: 'qa', lang: 'en' }],
    ['medicalPatient_ar.json', { source: 'dialogue', stage: 'sft', kind: 'qa', lang: 'ar' }],
    ['Medical_Book_en_sampled.json', { source: 'book', stage: 'pretrain', kind: 'qa', lang: 'en' }],
    ['Medical_Exam_zh_sampled.json', { source: 'exam', stage: 'sft', kind: 'qa', lang: 'zh' }],
    ['Medical_Patient_en_sampled.json', { source: 'dialogue', stage: 'sft', kind: 'qa', lang: 'en' }],
    ['General_zh_sampled.json', { source: 'general', stage: 'sft', kind: 'qa', lang: 'zh' }],
  ])('%s', (name, expected) => {
    expect(inferApolloName(name)).toEqual(expected);
  });

  it.each(['medicalBook_en.json', 'medicalRadio_en_text.json', 'medicalExam_en_text.json', 'notes.json', 'medicalBook_en_text.jsonl', 'Medical_Book_en.json'])(
    'does not recognise %s',
    (name) => {
      expect(inferApolloName(name)).toBeUndefined();
    },
  );
});

describe('formatFromName', () => {
  it.each([
    ['a.json', 'apollo'],
    ['a.jsonl', 'jsonl'],
    ['a.txt', 'text'],
    ['a.HTML', 'html'],
    ['a.htm', 'html'],
    ['seeds.urls', 'urls'],
    ['seeds.urls.txt', 'urls'],
    ['README.md', undefined],
  ])('%s -> %s', (name, format) => {
    expect(formatFromName(name)).toBe(format);
  });
});
