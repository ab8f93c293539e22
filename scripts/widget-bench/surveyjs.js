// SurveyJS (survey-core + survey-js-ui, its framework-free renderer) with its default
// theme: the same NPS question (a 0–10 rating with end labels) and the "why" that follows.
const json = (i) => ({
  showQuestionNumbers: "off",
  completeText: "Send",
  elements: [
    { type: "rating", name: `nps${i}`, title: "How likely are you to recommend us to a friend or colleague?", rateMin: 0, rateMax: 10, minRateDescription: "Not at all likely", maxRateDescription: "Extremely likely" },
    { type: "comment", name: "why", title: "What is the main reason for your score?", visibleIf: `{nps${i}} notempty` },
  ],
});

window.contenderReady = Promise.resolve({
  show: (el, i) => {
    const model = new window.Survey.Model(json(i));
    window.SurveyUI.renderSurvey(model, el);
    return model;
  },
  options: (el) => el.querySelectorAll(".sd-rating__item").length,
  destroy: (model, el) => {
    model.dispose();
    el.replaceChildren();
  },
});
