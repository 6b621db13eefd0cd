package dev.custody.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.admission.AdmissionReviews;
import dev.custody.admission.InvalidReviewException;

/** AdmissionReview bodies as the webhook receives them: only {@link InvalidReviewException} may come out. */
class AdmissionReviewFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void admissionReview(byte[] body) {
        try {
            AdmissionReviews.parse(body);
        } catch (InvalidReviewException expected) {
            // the parser's own error: anything else escaping is a finding
        }
    }
}
