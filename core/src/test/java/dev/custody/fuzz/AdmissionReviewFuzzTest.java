package dev.custody.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import dev.custody.admission.AdmissionReviews;
import dev.custody.admission.InvalidReviewException;

/** AdmissionReview bodies as the webhook receives them: only {@link InvalidReviewException} may come out. */
class AdmissionReviewFuzzTest {

    // a parser that spends 10 s on one input hangs: libFuzzer stops there and keeps the input (see scripts/fuzz.sh)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "30s")
    void admissionReview(byte[] body) {
        try {
            AdmissionReviews.parse(body);
        } catch (InvalidReviewException expected) {
            // the parser's own error: anything else escaping is a finding
        }
    }
}
