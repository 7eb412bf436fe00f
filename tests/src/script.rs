//! The two worked examples of DOMAIN.md as scripts of stages, each stage the commands of one
//! moment of the lifecycle at its date: the demo runs them and prints the read models after
//! each stage; the scenario tests run them and assert the read models after each.

use proto::pb;
use proto::pb::{Contract, ReportKey};
use tonic::Status;

use crate::clock::london;
use crate::journey::{Journey, register_provider};
use crate::requests::grades;
use crate::stack::Stack;

/// The full inspection starting Mon 2027-01-11, ECF and NPQ (DOMAIN.md's first example).
#[derive(Debug)]
pub struct FullInspection {
    /// The inspection.
    pub journey: Journey,
}

impl FullInspection {
    /// 2026-12-01: register a provider holding ECF and NPQ, plan the inspection.
    pub async fn plan(stack: &Stack) -> Result<Self, Status> {
        stack.clocks.set(london(2026, 12, 1, 10, 0));
        let provider = register_provider(
            &stack.api,
            "Best Training Trust",
            &[Contract::Ecf, Contract::Npq],
        )
        .await?;
        let journey = Journey::plan(
            &stack.api,
            &stack.clocks,
            provider,
            pb::InspectionKind::Full,
            &[Contract::Ecf, Contract::Npq],
            "2027-01-11",
        )
        .await?;
        Ok(FullInspection { journey })
    }

    /// Mon 2027-01-04 09:45: the notification call (R10), the confirmation at 10:00 (R11).
    pub async fn notification_call(&mut self) -> Result<(), Status> {
        let j = &mut self.journey;
        j.at(london(2027, 1, 4, 9, 45));
        j.call().await?;
        j.at(london(2027, 1, 4, 10, 0));
        j.confirm().await?;
        Ok(())
    }

    /// Mon 2027-01-04 15:00, the conversation day: the R15 information.
    pub async fn conversation_day_information(&mut self) -> Result<usize, Status> {
        self.journey.at(london(2027, 1, 4, 15, 0));
        self.journey.submit_required("R15").await
    }

    /// Tue 2027-01-05: survey links sent (R21); Fri 2027-01-08: the R16 information.
    pub async fn links_and_start_information(&mut self) -> Result<usize, Status> {
        let j = &mut self.journey;
        j.at(london(2027, 1, 5, 11, 0));
        j.links_sent().await?;
        j.at(london(2027, 1, 8, 12, 0));
        j.submit_required("R16").await
    }

    /// Mon 2027-01-11 09:00 day 1; Tue: survey responses and a participants' meeting.
    pub async fn on_site(&mut self) -> Result<(), Status> {
        let j = &mut self.journey;
        j.at(london(2027, 1, 11, 9, 0));
        j.start().await?;
        j.at(london(2027, 1, 12, 8, 0));
        j.survey_responses(pb::StakeholderGroup::Participants, 310)
            .await?;
        j.at(london(2027, 1, 12, 11, 0));
        j.meeting(pb::MeetingGroup::Ects).await?;
        Ok(())
    }

    /// Thu 2027-01-14 16:00 the end; Fri 2027-01-15 the follow-up call (R19).
    pub async fn end(&mut self) -> Result<(), Status> {
        let j = &mut self.journey;
        j.at(london(2027, 1, 14, 16, 0));
        j.end().await?;
        j.at(london(2027, 1, 15, 10, 0));
        j.follow_up().await?;
        Ok(())
    }

    /// Mon 2027-01-18: grades (R23): ECF 2/2/2, NPQ 3/2/3.
    pub async fn judgements(&mut self) -> Result<(), Status> {
        let j = &mut self.journey;
        j.at(london(2027, 1, 18, 10, 0));
        j.judgements(Contract::Ecf, grades(2, 2, 2)).await?;
        j.judgements(Contract::Npq, grades(3, 2, 3)).await?;
        Ok(())
    }

    /// Mon 2027-01-25: moderation (ECF overall amended to outstanding, R24) and QA (R25).
    pub async fn moderation_and_qa(&mut self) -> Result<(), Status> {
        let j = &mut self.journey;
        j.at(london(2027, 1, 25, 10, 0));
        j.moderate(
            ReportKey::EcfReport,
            vec![pb::Amendment {
                change: Some(pb::amendment::Change::Grade(pb::amendment::GradeChange {
                    area: pb::JudgementArea::OverallEffectiveness as i32,
                    to: pb::Grade::Outstanding as i32,
                })),
                reason: "evidence base supports outstanding".into(),
            }],
        )
        .await?;
        j.moderate(ReportKey::NpqReport, vec![]).await?;
        for r in [ReportKey::EcfReport, ReportKey::NpqReport] {
            j.quality_assure(r).await?;
        }
        Ok(())
    }

    /// Fri 2027-02-05: both drafts (due 2027-02-09, R25); the ECF draft shared with DfE (R26).
    pub async fn drafts(&mut self) -> Result<(), Status> {
        let j = &mut self.journey;
        j.at(london(2027, 2, 5, 10, 0));
        for r in [ReportKey::EcfReport, ReportKey::NpqReport] {
            j.draft(r).await?;
        }
        j.share(ReportKey::EcfReport, pb::ReportStage::Draft)
            .await?;
        Ok(())
    }

    /// Wed 2027-02-10: the provider's comments on the ECF draft, in time (R27).
    pub async fn comments(&mut self) -> Result<(), Status> {
        self.journey.at(london(2027, 2, 10, 10, 0));
        self.journey.comment(ReportKey::EcfReport).await?;
        Ok(())
    }

    /// Fri 2027-02-19: both finals (due 2027-02-25, R28), published.
    pub async fn finals(&mut self) -> Result<(), Status> {
        let j = &mut self.journey;
        j.at(london(2027, 2, 19, 10, 0));
        for r in [ReportKey::EcfReport, ReportKey::NpqReport] {
            j.final_report(r).await?;
            j.publish(r).await?;
        }
        Ok(())
    }
}

/// The LPMV starting Tue 2027-03-30 across Easter and BST (DOMAIN.md's second example).
#[derive(Debug)]
pub struct Lpmv {
    /// The inspection.
    pub journey: Journey,
}

impl Lpmv {
    /// 2027-03-01: register a provider holding NPQ, plan the LPMV.
    pub async fn plan(stack: &Stack) -> Result<Self, Status> {
        stack.clocks.set(london(2027, 3, 1, 10, 0));
        let provider =
            register_provider(&stack.api, "Northern NPQ Partnership", &[Contract::Npq]).await?;
        let journey = Journey::plan(
            &stack.api,
            &stack.clocks,
            provider,
            pb::InspectionKind::Lpmv,
            &[Contract::Npq],
            "2027-03-30",
        )
        .await?;
        Ok(Lpmv { journey })
    }

    /// Fri 2027-03-19 09:40 GMT: the call and confirmation; every item that afternoon; links
    /// sent on Mon 2027-03-22.
    pub async fn notification_and_information(&mut self) -> Result<(), Status> {
        let j = &mut self.journey;
        j.at(london(2027, 3, 19, 9, 40));
        j.call().await?;
        j.confirm().await?;
        j.at(london(2027, 3, 19, 15, 0));
        j.submit_required("R15").await?;
        j.submit_required("R16").await?;
        j.at(london(2027, 3, 22, 10, 0));
        j.links_sent().await?;
        Ok(())
    }

    /// Tue 2027-03-30 09:00 BST day 1; Thu 2027-04-01 the end; Fri the follow-up call.
    pub async fn on_site(&mut self) -> Result<(), Status> {
        let j = &mut self.journey;
        j.at(london(2027, 3, 30, 9, 0));
        j.start().await?;
        j.at(london(2027, 3, 31, 11, 0));
        j.meeting(pb::MeetingGroup::NpqParticipants).await?;
        j.at(london(2027, 4, 1, 15, 0));
        j.end().await?;
        j.at(london(2027, 4, 2, 11, 0));
        j.follow_up().await?;
        Ok(())
    }

    /// Fri 2027-04-02: "not taking effective action" (R23), moderated and quality assured.
    pub async fn outcome(&mut self) -> Result<(), Status> {
        let j = &mut self.journey;
        j.at(london(2027, 4, 2, 14, 0));
        j.lpmv_outcome(pb::LpmvOutcome::NotEffective).await?;
        j.moderate(ReportKey::LpmvLetter, vec![]).await?;
        j.quality_assure(ReportKey::LpmvLetter).await?;
        Ok(())
    }

    /// Tue 2027-04-20: the draft letter (due 2027-04-27).
    pub async fn draft(&mut self) -> Result<(), Status> {
        self.journey.at(london(2027, 4, 20, 10, 0));
        self.journey.draft(ReportKey::LpmvLetter).await?;
        Ok(())
    }

    /// Mon 2027-05-10: the final letter (due 2027-05-14), published.
    pub async fn final_letter(&mut self) -> Result<(), Status> {
        let j = &mut self.journey;
        j.at(london(2027, 5, 10, 10, 0));
        j.final_report(ReportKey::LpmvLetter).await?;
        j.publish(ReportKey::LpmvLetter).await?;
        Ok(())
    }
}
