import { readEvalSet } from './evaluate';
import { addSegmentLengths, addTextLayout, emptySegmentLengths, emptyTextLayout, labelShare, LABEL_MAX_CHARS, mayBeLabelList, MIN_LABEL_SEGMENTS, textLayout } from './text-layout';

// The first entries of the Health topics index page (google.com/health/ref/index.html, kept in
// sfvishalgupta/googlehealthsamples python/healthappenginedemo/hrp.py), one link per line.
const LINK_LIST = [
  'Health topics',
  'Google Health | Help',
  'A',
  'Aarskog Syndrome',
  'Aase Syndrome',
  'Abdominal Cramps',
  'Abducens Nerve Palsy',
  'Abetalipoproteinemia',
  'Abnormal Vaginal Bleeding',
  'Abortion, spontaneous',
  'Acute Lymphocytic Leukemia (ALL)',
].join('\n');

// A Hindi page with a symptom list under its prose (etvbharat.com, corona symptoms).
const PROSE_WITH_LIST = [
  'पटना: भारत में कोरोना वायरस अपने पैर पसार चुका है. मरीजों की संख्या 300 से ज्यादा हो गई है. बिहार में कोरोना वायरस के संदिग्ध मरीजों की संख्या में बढ़ोतरी देखी जा रही है. हालांकि अभी तक एक भी मामला पॉजिटिव नहीं पाया गया है. बिहार में अब तक 504 संदिग्धों की पहचान की गई है, इनमें से 16 संदिग्धों को आइसोलेशन से मुक्त भी कर दिया गया है. इन्हें 14 दिनों के लिए आइसोलेशन पर रखा गया था.',
  'लोगों के मन में भय बैठ गया है. लोग सोचने लगे हैं और जानने की कोशिश कर रहे हैं कि आखिर इस महामारी के लक्षण क्या हैं? कोरोना वायरस किसी में है तो वह इसे कैसे समझे.',
  'आइये हम आपको बताते हैं कि आखिर इसके लक्षण क्या-क्या हैं.',
  'कोरोना वायरस संक्रमण के लक्षण:-',
  '- गले में दर्द होना',
  '- छींक आना',
  '- नाक बहना',
  '- लगातार सिरदर्द रहना',
  '- सूखी खांसी होना',
  '- गले में खराश होना',
  '- हल्का बुखार होना',
  '- कमजोरी महसूस होना',
  '- बदन दर्द होना',
].join('\n');

describe('textLayout', () => {
  it('reads a link list as short label lines holding nearly all of its characters', () => {
    const layout = textLayout(LINK_LIST);
    expect(layout.segments).toBe(12); // "Google Health | Help" is two cells
    expect(layout.labels).toBe(12);
    expect(labelShare(layout)).toBe(1);
  });

  it('keeps the prose of a page whose symptom list has more lines than its prose', () => {
    const layout = textLayout(PROSE_WITH_LIST);
    expect(layout.labels).toBeGreaterThanOrEqual(MIN_LABEL_SEGMENTS);
    expect(labelShare(layout)).toBeLessThan(0.3);
  });

  it('counts a short line that ends a sentence as prose, looking through closing brackets', () => {
    expect(textLayout('Take it with food.').labels).toBe(0);
    expect(textLayout('(Take it with food.)').labels).toBe(0);
    expect(textLayout('服药后多喝水。').labels).toBe(0);
    expect(textLayout('रोज़ दवा लें।').labels).toBe(0);
    expect(textLayout('Take it with food').labels).toBe(1);
  });

  it('never counts a line of more than five words, or of more than LABEL_MAX_CHARS characters, as a label', () => {
    expect(textLayout('one two three four five').labels).toBe(1);
    expect(textLayout('one two three four five six').labels).toBe(0);
    expect(textLayout('x'.repeat(LABEL_MAX_CHARS + 1)).labels).toBe(0);
    // Half a word per Han character: ten characters are five words.
    expect(textLayout('一二三四五六七八九十').labels).toBe(1);
    expect(textLayout('一二三四五六七八九十一').labels).toBe(0);
  });

  it('splits a menu of Chinese links on one line at the spaces between them, in text with Han only', () => {
    const menu = '网站首页 科室简介 专家团队 特色医疗 科室动态 疾病介绍 成功病例 健康科普 就医指南 在线咨询';
    expect(textLayout(menu)).toMatchObject({ segments: 10, labels: 10 });
    expect(addTextLayout(menu, emptyTextLayout(), false)).toMatchObject({ segments: 1, labels: 0 });
    // A space beside a Latin word is no separator.
    expect(textLayout('患者做了 CT 检查，结果显示右下肺有浸润影，医生建议住院治疗并复查血常规。').segments).toBe(1);
  });

  it('ignores lines without letters and adds the layouts of several windows', () => {
    expect(textLayout('0%\n---\n12 | 34')).toMatchObject({ segments: 0, chars: 0 });
    const both = textLayout(['Acne\nAcromegaly', 'Albinism']);
    expect(both).toMatchObject({ segments: 3, labels: 3 });
  });

  it('is bounded by segment lengths: a text whose lengths rule out a list of labels has a layout that is none', () => {
    let lists = 0;
    for (const item of readEvalSet()) {
      const lengths = addSegmentLengths(item.text, emptySegmentLengths());
      const layout = textLayout(item.text);
      expect(lengths.segments).toBeGreaterThanOrEqual(layout.segments);
      for (const share of [0.3, 0.6, 0.9]) {
        const isList = layout.labels >= MIN_LABEL_SEGMENTS && labelShare(layout) >= share;
        if (isList) lists++;
        expect([item.origin, share, !isList || mayBeLabelList(lengths, share)]).toEqual([item.origin, share, true]);
      }
    }
    expect(lists).toBeGreaterThan(0);
    // Prose of long lines is ruled out from its lengths alone.
    expect(mayBeLabelList(addSegmentLengths(PROSE_WITH_LIST, emptySegmentLengths()), 0.6)).toBe(false);
    expect(mayBeLabelList(addSegmentLengths(LINK_LIST, emptySegmentLengths()), 0.6)).toBe(true);
  });
});
